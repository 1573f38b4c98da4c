use strict;
use warnings;

sub two_sum {
    my ($nums, $target) = @_;
    my %seen;
    for my $j (0 .. $#$nums) {
        my $v = $nums->[$j];
        return [$seen{$target - $v}, $j] if exists $seen{$target - $v};
        $seen{$v} //= $j;
    }
    return [];
}

1;
