CLOSE = { '(' => ')', '[' => ']', '{' => '}' }.freeze

def balanced?(s)
  stack = []
  s.each_char do |c|
    if (close = CLOSE[c])
      stack << close
    elsif stack.pop != c
      return false
    end
  end
  stack.empty?
end

data = $stdin.read.split
t = data[0].to_i
puts data[1, t].map { |s| balanced?(s) ? 'YES' : 'NO' }.join("\n")
