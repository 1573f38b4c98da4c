use strict;
use warnings;

my @data = split ' ', do { local $/; <STDIN> };
my ($n, $target) = @data[0, 1];
my %seen;
for my $j (0 .. $n - 1) {
    my $v = $data[2 + $j];
    if (exists $seen{$target - $v}) {
        print $seen{$target - $v} + 1, ' ', $j + 1, "\n";
        last;
    }
    $seen{$v} //= $j;
}
